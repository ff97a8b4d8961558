Unknown option: bogus at <src>/centreon/plugins/alternative/Getopt.pm line 81. 
exit 3
