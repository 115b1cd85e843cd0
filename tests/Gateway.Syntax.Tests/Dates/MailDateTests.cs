namespace Gateway.Syntax.Tests;

public sealed class MailDateTests
{
    [Fact]
    public void Formats_the_date_per_rfc5322()
    {
        Assert.Equal("Thu, 1 Jan 1970 00:00:00 +0000", MailDate.Format(DateTimeOffset.UnixEpoch));
        Assert.Equal("Sun, 15 Mar 2026 23:59:59 +0530", MailDate.Format(new DateTimeOffset(2026, 3, 15, 23, 59, 59, new TimeSpan(5, 30, 0))));
        Assert.Equal("Sun, 15 Mar 2026 23:59:59 -0930", MailDate.Format(new DateTimeOffset(2026, 3, 15, 23, 59, 59, -new TimeSpan(9, 30, 0))));
    }
}
