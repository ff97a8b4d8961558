UNKNOWN: No scenario found 
exit 0
