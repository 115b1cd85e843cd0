using Gateway.Policy;
using Gateway.Transport.TlsRpt;

namespace Gateway.Host.Reports;

/// <summary>Who we are in the TLS reports a policy sends (delivery.tls.reporting and our host name).</summary>
internal static class TlsRptReportingSettings
{
    public static TlsRptReportOptions For(GatewayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var reporting = policy.Delivery.Tls.Reporting;
        var contact = reporting.Contact ?? "postmaster@" + policy.HostName;
        return new TlsRptReportOptions
        {
            OrganizationName = reporting.Organization ?? policy.HostName,
            ContactInfo = contact,

            // The policy documents contact as the From of mailed reports too: replies reach a person.
            From = contact,
            SubmitterDomain = policy.HostName,
            HostName = policy.HostName,
        };
    }
}
