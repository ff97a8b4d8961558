OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Requests#scenario.metric.usage.requests'=80requests;16:36;-4:76;;100
exit 0
