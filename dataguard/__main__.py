from dataguard.cli import main

main()
