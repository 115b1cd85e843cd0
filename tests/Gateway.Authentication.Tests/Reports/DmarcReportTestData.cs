using System.Net;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Tests.Reports;

internal static class DmarcReportTestData
{
    public static readonly DateTimeOffset Day = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    public static DmarcReportRecord Record(
        DateTimeOffset time, string ip = "192.0.2.1", string policyDomain = "example.com", bool dkimAligned = true,
        DmarcPolicy disposition = DmarcPolicy.None, string rua = "mailto:dmarc@example.com", string? selector = "s1")
    {
        if (!DmarcRecord.TryParse($"v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=100; rua={rua}", out var record))
        {
            throw new InvalidOperationException("test record does not parse");
        }

        var input = new DmarcInput
        {
            Author = DmarcAuthor.ForDomain(policyDomain),
            Spf = SpfResult.SoftFail,
            SpfDomain = "bounce." + policyDomain,
            Dkim = [new DmarcDkimInput(dkimAligned ? DkimResult.Pass : DkimResult.Fail, policyDomain, selector)],
        };
        var evaluation = new DmarcEvaluation
        {
            Result = dkimAligned ? DmarcResult.Pass : DmarcResult.Fail,
            Author = input.Author,
            PolicyDomain = policyDomain,
            OrganizationalDomain = policyDomain,
            Record = record,
            Policy = DmarcPolicy.Reject,
            Disposition = disposition,
            DkimAlignedDomain = dkimAligned ? policyDomain : null,
        };

        return DmarcReportRecord.FromEvaluation(evaluation, input, IPAddress.Parse(ip), "bounce." + policyDomain, time)!;
    }
}
