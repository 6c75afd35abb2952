from sqm.cli import main

main()
