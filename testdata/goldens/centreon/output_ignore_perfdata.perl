OK: Scenario 'crm_login' status: OK - All metrics are ok 
exit 0
