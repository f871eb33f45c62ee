from gitworthy.cli import main

raise SystemExit(main())
