OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Reqs#scenario.metric.usage.requests'=42r;50;80:90;0;100
exit 0
