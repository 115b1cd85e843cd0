using Gateway.Authentication.Dkim;
using Gateway.Authentication.Spf;

namespace Gateway.Authentication.Results;

/// <summary>
/// The result keywords of RFC 8601 2.7 (registered in the IANA "Email Authentication Result Names" registry),
/// which the aggregate report schema (RFC 7489 Appendix C) uses as well.
/// </summary>
public static class ResultNames
{
    public static string Of(SpfResult result) => result switch
    {
        SpfResult.None => "none",
        SpfResult.Neutral => "neutral",
        SpfResult.Pass => "pass",
        SpfResult.Fail => "fail",
        SpfResult.SoftFail => "softfail",
        SpfResult.TempError => "temperror",
        _ => "permerror",
    };

    public static string Of(DkimResult result) => result switch
    {
        DkimResult.None => "none",
        DkimResult.Pass => "pass",
        DkimResult.Fail => "fail",
        DkimResult.Policy => "policy",
        DkimResult.Neutral => "neutral",
        DkimResult.TempError => "temperror",
        _ => "permerror",
    };
}
