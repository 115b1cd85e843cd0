using System.Text;
using Gateway.Pipeline.Content;

namespace Gateway.Pipeline.Tests.Content;

/// <summary>The TLS-Required: No header field (RFC 8689 4).</summary>
public sealed class TlsRequiredFieldTests
{
    private static bool SaysNo(string section) => TlsRequiredField.SaysNo(Encoding.ASCII.GetBytes(section));

    [Theory]
    [InlineData("TLS-Required: No\r\n\r\n")]
    [InlineData("From: a@example.org\r\nTLS-Required: No\r\nSubject: x\r\n\r\n")]
    [InlineData("tls-required: no\r\n\r\n")]
    [InlineData("TLS-Required:No\r\n\r\n")]
    [InlineData("TLS-Required :  NO  \r\n\r\n")]
    [InlineData("TLS-Required:\r\n No\r\n\r\n")]
    [InlineData("TLS-Required: No\n\n")]
    public void The_field_saying_no_is_found(string section) => Assert.True(SaysNo(section));

    [Theory]
    [InlineData("From: a@example.org\r\n\r\n")]
    [InlineData("TLS-Required: Yes\r\n\r\n")]
    [InlineData("TLS-Required: No thanks\r\n\r\n")]
    [InlineData("X-TLS-Required: No\r\n\r\n")]
    [InlineData("TLS-Required-Not: No\r\n\r\n")]
    [InlineData("Subject: TLS-Required: No\r\n\r\n")]
    [InlineData("Subject: x\r\n\r\nTLS-Required: No\r\n")]
    [InlineData("")]
    public void Anything_else_is_not(string section) => Assert.False(SaysNo(section));
}
