OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Requests#scenario.metric.usage.requests'=58requests;80:90;70:100;0;100
exit 0
