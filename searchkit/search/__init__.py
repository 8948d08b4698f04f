"""Reading the index: query parsing (strict and lenient), facet values and filters,
the numpy fast path, facet tables, actor groups, hybrid fusion, snippets and
explanations, and the engine that puts them together. Nothing here writes the index
or imports the indexer."""
