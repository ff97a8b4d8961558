OK: Scenario 'single_null' status: OK - metric 'only'  
checking scenario 'single_null'
    status: OK
exit 0
