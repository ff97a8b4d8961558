UNKNOWN: Need to specify '--mode' or '--dyn-mode' option. 
exit 3
