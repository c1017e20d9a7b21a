DoppelCommand.main()
