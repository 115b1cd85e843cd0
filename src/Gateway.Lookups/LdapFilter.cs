using System.Text;

namespace Gateway.Lookups;

/// <summary>RFC 4515 3 assertion-value escaping, so an address can never change the shape of the filter it is put in.</summary>
public static class LdapFilter
{
    public static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            // The RFC requires escaping NUL, '(', ')', '*' and '\'; control characters are escaped too so logs
            // and the wire show them plainly.
            if (c is '\0' or '(' or ')' or '*' or '\\' || char.IsControl(c))
            {
                escaped.Append('\\').Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>The template with every <c>{0}</c> replaced by the escaped address (no other format syntax, so braces in a filter stay literal).</summary>
    public static string Build(string template, string address) => template.Replace("{0}", Escape(address), StringComparison.Ordinal);
}
