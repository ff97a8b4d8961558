UNKNOWN: Need to specify '--plugin' option. 
exit 3
