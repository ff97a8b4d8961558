UNKNOWN: Cannot load module --plugin. 
Can't locate apps/foo/plugin.pm in @INC (you may need to install the apps::foo::plugin module) (@INC contains: <src> /etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.36.0 /usr/local/share/perl/5.36.0 /usr/lib/x86_64-linux-gnu/perl5/5.36 /usr/share/perl5 /usr/lib/x86_64-linux-gnu/perl-base /usr/lib/x86_64-linux-gnu/perl/5.36 /usr/share/perl/5.36 /usr/local/lib/site_perl) at <src>/centreon/plugins/misc.pm line 288.
exit 3
