from searchkit.ui.cli import main

main()
