using System.Globalization;
using Gateway.Syntax;

namespace Gateway.Delivery.Client;

/// <summary>Turns a server reply into the diagnostic and codes a recipient outcome carries.</summary>
internal static class ReplyText
{
    /// <summary>"550 5.1.1 No such user" from code 550 and MailKit's response text (lines joined by MailKit with LF).</summary>
    public static string Diagnostic(int code, string? text)
    {
        var oneLine = string.Join(' ', (text ?? string.Empty).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return oneLine.Length == 0
            ? code.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{code} {oneLine}");
    }

    /// <summary>The RFC 3463 code at the start of the text when its class agrees with the reply code (RFC 2034 4).</summary>
    public static string? EnhancedCode(int code, string? text) =>
        EnhancedStatusCode.TryParseLeading(text, out var status) && status.Class == code / 100 ? status.ToString() : null;
}
