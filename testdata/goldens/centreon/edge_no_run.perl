OK: Scenario 'no_run' All metrics are ok 
checking scenario 'no_run'
exit 0
