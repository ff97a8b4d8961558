OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Durée étape 2#scenario.metric.usage.total_ms'=1690.75;;;; 'crm_login~Step 1 - Home page#scenario.metric.usage.total_ms'=1690.75;;;;
exit 0
