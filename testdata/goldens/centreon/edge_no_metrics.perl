CRITICAL: Scenario 'no_metrics' status: Critical 
checking scenario 'no_metrics'
    status: Critical
exit 2
