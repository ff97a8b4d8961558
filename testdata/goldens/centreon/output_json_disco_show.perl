{"data":[{"id":301,"app_name":"CRM","alias":"crm_login_alias","name":"crm_login","display_name":"CRM - Login"},{"display_name":"ERP \"rich\" client & <co>","id":303,"name":"ERP_desktop","app_name":"ERP","alias":"erp"},{"display_name":"Intranet home","app_name":"-","alias":"intranet_home_alias","name":"intranet_home","id":302}]}
exit 0
