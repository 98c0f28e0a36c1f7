from syncplan.cli import main

main()
