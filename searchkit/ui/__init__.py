"""The user interfaces: the click CLI, the prompt_toolkit REPL and the plain-text
rendering they share. They use only the public library (``searchkit.api.SearchKit``,
``searchkit.results``, ``searchkit.vocab``): no Whoosh, no index or search internals."""
