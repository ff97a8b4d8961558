UNKNOWN: Wrong critical-formatted-metric threshold '1:2:3'. 
exit 3
