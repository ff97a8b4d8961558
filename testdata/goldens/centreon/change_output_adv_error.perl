MIP is not there
exit 2
