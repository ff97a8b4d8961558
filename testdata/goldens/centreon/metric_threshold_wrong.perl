UNKNOWN: Wrong warning-metric threshold 'abc'. 
exit 3
