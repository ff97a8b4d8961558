UNKNOWN: No scenario found 
exit 3
