OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Requests#scenario.metric.usage.requests'=21.00%;5.00:50.00;0.00:90.00;0;100
exit 0
