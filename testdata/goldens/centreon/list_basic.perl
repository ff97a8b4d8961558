List scenarios: 
[name = crm_login][id = 301][alias = crm_login_alias][display_name = CRM - Login][app_name = CRM]
[name = ERP_desktop][id = 303][alias = erp][display_name = ERP "rich" client & <co>][app_name = ERP]
[name = intranet_home][id = 302][alias = intranet_home_alias][display_name = Intranet home][app_name = -]
exit 0
