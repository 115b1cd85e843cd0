using Gateway.Authentication.Reports;
using Gateway.Host.Spool;
using Gateway.Policy;

namespace Gateway.Host.Reports;

/// <summary>The aggregate-report settings a policy asks for (authentication.dmarc.reports and the names around it).</summary>
internal static class DmarcReportingSettings
{
    public static DmarcReportingOptions For(GatewayPolicy policy)
    {
        var reports = policy.Authentication.Dmarc.Reports;
        return new DmarcReportingOptions
        {
            Report = new DmarcReportOptions
            {
                OrgName = reports.OrgName ?? policy.HostName,
                Email = reports.From?.ToString() ?? "postmaster@" + policy.HostName,
                ReceiverDomain = policy.Authentication.AuthservId ?? policy.HostName,
            },
            Interval = reports.Interval,
            HostName = policy.HostName,
            Directory = SpoolPaths.DmarcDirectory(policy),
        };
    }
}
