namespace Gateway.Spam.Scoring;

/// <summary>
/// Points for sender-authentication results. Failures add modestly and passes subtract little: authentication says
/// who sent a message, not whether it is wanted (spammers pass SPF for their own domains), so it tips a borderline
/// message rather than decides one. A DMARC failure is the strongest sign, as the domain owner asked for it.
/// </summary>
public sealed record AuthenticationScores(
    double SpfFail = 1.0,
    double SpfSoftFail = 0.5,
    double DkimFail = 1.0,
    double DmarcFail = 2.5,
    double DmarcPass = -0.5)
{
    public static AuthenticationScores Default { get; } = new();

    internal void Add(SpamContext context, List<SpamReason> reasons)
    {
        AddIf(context.Spf == AuthenticationOutcome.Fail, "SPF_FAIL", SpfFail, reasons);
        AddIf(context.Spf == AuthenticationOutcome.SoftFail, "SPF_SOFTFAIL", SpfSoftFail, reasons);
        AddIf(context.Dkim == AuthenticationOutcome.Fail, "DKIM_FAIL", DkimFail, reasons);
        AddIf(context.Dmarc == AuthenticationOutcome.Fail, "DMARC_FAIL", DmarcFail, reasons);
        AddIf(context.Dmarc == AuthenticationOutcome.Pass, "DMARC_PASS", DmarcPass, reasons);
    }

    private static void AddIf(bool condition, string name, double score, List<SpamReason> reasons)
    {
        if (condition && score != 0)
        {
            reasons.Add(new SpamReason(name, score));
        }
    }
}
