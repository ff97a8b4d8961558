OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Step 1 - Home page#scenario.metric.usage.milliseconds'=1234.5ms;;;;
exit 0
