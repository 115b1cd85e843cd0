using System.Globalization;
using Gateway.Queue.Scheduling;

namespace Gateway.Delivery.Routing;

/// <summary>Why a recipient cannot be routed now (transient) or ever (permanent), as an SMTP-style reply.</summary>
public sealed record RouteFailure(OutcomeKind Kind, int Code, string EnhancedCode, string Text)
{
    /// <summary>The reply as it appears in logs and delivery notices: "550 5.1.2 domain not found".</summary>
    public string Diagnostic => string.Create(CultureInfo.InvariantCulture, $"{Code} {EnhancedCode} {Text}");

    public static RouteFailure Transient(string enhancedCode, string text) => new(OutcomeKind.TransientFailure, 451, enhancedCode, text);

    public static RouteFailure Permanent(int code, string enhancedCode, string text) => new(OutcomeKind.PermanentFailure, code, enhancedCode, text);
}
