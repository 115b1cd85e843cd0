using System.Globalization;
using System.Text;
using Gateway.Abstractions;

namespace Gateway.Delivery.Client;

/// <summary>Turns a server reply into the one-line diagnostic a recipient outcome, the trace and notices carry.</summary>
internal static class ReplyText
{
    /// <summary>"550 5.1.1 No such user": the code, the enhanced code, and the text of every line joined by spaces.</summary>
    public static string Diagnostic(SmtpReply reply)
    {
        var sb = new StringBuilder().Append(reply.Code.ToString(CultureInfo.InvariantCulture));
        if (reply.EnhancedCode is { } enhanced)
        {
            sb.Append(' ').Append(enhanced);
        }

        foreach (var line in reply.Lines)
        {
            var text = line.Trim();
            if (text.Length > 0)
            {
                sb.Append(' ').Append(text);
            }
        }

        return sb.ToString();
    }
}
