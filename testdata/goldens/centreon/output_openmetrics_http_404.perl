plugin.mode.status{plugin="apps::monitoring::mip::restapi::plugin",mode="scenarios"} 3 <ms>
exit 3
