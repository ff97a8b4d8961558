scenario.metric.usage.{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="%",instance="crm_login~Availability"} 99.5 <ms>
scenario.metric.usage.milliseconds{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="ms",instance="crm_login~Durée étape 2"} 456.25 <ms>
scenario.metric.usage.count{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="status",instance="crm_login~HTTP status"} 200 <ms>
scenario.metric.usage.bytes{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="bytes",instance="crm_login~Page size"} 123456 <ms>
scenario.metric.usage.requests{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="requests",instance="crm_login~Requests"} 42 <ms>
scenario.metric.usage.milliseconds{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="ms",instance="crm_login~Step 1 - Home page"} 1234.5 <ms>
scenario.metric.usage.bitspersecond{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="bps",instance="crm_login~Throughput"} 1200.25 <ms>
scenario.formatted_metric.usage.count{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",instance="crm_login~Nb lignes"} 17 <ms>
scenario.formatted_metric.usage.count{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",instance="crm_login~Temps total"} 1234.5 <ms>
scenario.metric.usage.milliseconds{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="ms",instance="crm_search~Search"} 4200.75 <ms>
scenario.metric.usage.milliseconds{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="ms",instance="erp_desktop~Open customer file"} 15000 <ms>
scenario.metric.usage.{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="items",instance="eshop_checkout~Cart size"} 3 <ms>
scenario.metric.usage.milliseconds{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="ms",instance="eshop_checkout~Pay"} 30000 <ms>
scenario.metric.usage.milliseconds{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios",unit="ms",instance="intranet_home~Launch"} 2500 <ms>
plugin.mode.status{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios"} 2 <ms>
exit 2
