<?xml version="1.0" encoding="utf-8"?>
<data>
  <label alias="crm_login_alias" app_name="CRM" display_name="CRM - Login" id="301" name="crm_login"/>
  <label alias="erp" app_name="ERP" display_name="ERP &quot;rich&quot; client &amp; &lt;co&gt;" id="303" name="ERP_desktop"/>
  <label alias="intranet_home_alias" app_name="-" display_name="Intranet home" id="302" name="intranet_home"/>
</data>
exit 0
