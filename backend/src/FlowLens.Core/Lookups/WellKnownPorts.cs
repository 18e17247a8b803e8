using System.Collections.Frozen;

namespace FlowLens.Core.Lookups;

/// <summary>Service names of common ports, for display next to the number (22 → "ssh").</summary>
public static class WellKnownPorts
{
    private static readonly FrozenDictionary<int, string> Names = new Dictionary<int, string>
    {
        [20] = "ftp-data", [21] = "ftp", [22] = "ssh", [23] = "telnet", [25] = "smtp", [53] = "dns", [67] = "dhcp",
        [68] = "dhcp-client", [69] = "tftp", [80] = "http", [88] = "kerberos", [110] = "pop3", [111] = "rpcbind",
        [123] = "ntp", [135] = "msrpc", [137] = "netbios-ns", [138] = "netbios-dgm", [139] = "netbios-ssn",
        [143] = "imap", [161] = "snmp", [162] = "snmptrap", [389] = "ldap", [443] = "https", [445] = "smb",
        [465] = "smtps", [500] = "isakmp", [514] = "syslog", [587] = "submission", [636] = "ldaps", [873] = "rsync",
        [989] = "ftps-data", [990] = "ftps", [993] = "imaps", [995] = "pop3s", [1194] = "openvpn", [1433] = "mssql",
        [1521] = "oracle", [1723] = "pptp", [2049] = "nfs", [2375] = "docker", [2376] = "docker-tls", [2379] = "etcd",
        [3306] = "mysql", [3389] = "rdp", [4500] = "ipsec-nat-t", [5432] = "postgresql", [5439] = "redshift",
        [5601] = "kibana", [5672] = "amqp", [5900] = "vnc", [5985] = "winrm", [5986] = "winrm-https",
        [6379] = "redis", [6443] = "kubernetes-api", [8080] = "http-alt", [8443] = "https-alt", [9092] = "kafka",
        [9200] = "elasticsearch", [10250] = "kubelet", [11211] = "memcached", [27017] = "mongodb",
    }.ToFrozenDictionary();

    /// <summary>The service usually on this port, or null.</summary>
    public static string? Name(int port) => Names.GetValueOrDefault(port);
}
