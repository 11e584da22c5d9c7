from calendar_svc.cli import main

main()
