CRITICAL: No scenario found 
exit 2
