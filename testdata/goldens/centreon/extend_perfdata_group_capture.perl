OK: Scenario 'crm_login' status: OK - All metrics are ok | 'max_Durée étape 2'=1234.5;;;; 'max_Step 1 - Home page'=1234.5;;;;
exit 0
