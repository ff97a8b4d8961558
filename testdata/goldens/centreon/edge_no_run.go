UNKNOWN: Scenario 'no_run' status: no run in the last hour 
checking scenario 'no_run'
    status: no run in the last hour
exit 3
