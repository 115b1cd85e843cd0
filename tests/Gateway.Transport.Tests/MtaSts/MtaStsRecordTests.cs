using Gateway.Transport.MtaSts;

namespace Gateway.Transport.Tests.MtaSts;

public sealed class MtaStsRecordTests
{
    [Theory]
    [InlineData("v=STSv1; id=20160831085700Z;", "20160831085700Z")]
    [InlineData("v=STSv1; id=20160831085700Z", "20160831085700Z")]
    [InlineData("v=STSv1;id=abc", "abc")]
    [InlineData("v=STSv1 ;\tid=abc ;", "abc")]
    [InlineData("v=STSv1; id=abc; ", "abc")]
    [InlineData("v=STSv1; ext=value; id=A1", "A1")]
    [InlineData("v=STSv1; id=A1; x_y-z.9=!\"#$%&'()*+,-./:<>?@[]^_`{|}~", "A1")]
    [InlineData("v=STSv1; id=12345678901234567890123456789012", "12345678901234567890123456789012")]
    public void Valid_records(string text, string id)
    {
        var result = MtaStsRecord.Parse(text);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(id, result.Record!.Id);
    }

    [Theory]
    [InlineData("v=STSv1", "id field is required")]
    [InlineData("v=STSv1;", "id field is required")]
    [InlineData("v=STSv1; ext=1", "id field is required")]
    [InlineData("v=STSv1; id=", "1 to 32 letters and digits")]
    [InlineData("v=STSv1; id=123456789012345678901234567890123", "1 to 32 letters and digits")]
    [InlineData("v=STSv1; id=2016-08-31", "1 to 32 letters and digits")]
    [InlineData("v=STSv1; id=abc; id=def", "more than one id")]
    [InlineData("v=STSv1 id=abc", "separated by ';'")]
    [InlineData("v=STSv1; id=abc def", "separated by ';'")]
    [InlineData("v=STSv1; id = abc", "not name=value")]
    [InlineData("v=STSv1; =abc; id=a", "not name=value")]
    [InlineData("v=STSv1; id=a; _ext=1", "not a valid extension")]
    [InlineData("v=STSv1; id=a; ext==1", "not a valid extension")]
    [InlineData("v=STSv1; id=a;; ext=1", "not name=value")]
    [InlineData("v=STSv1; id=a; abcdefghijabcdefghijabcdefghijabc=1", "not a valid extension")]
    [InlineData("v=stsv1; id=abc", "does not start with v=STSv1")]
    [InlineData(" v=STSv1; id=abc", "does not start with v=STSv1")]
    [InlineData("v=STSv10; id=abc", "does not start with v=STSv1")]
    [InlineData("v=STSv1; ID=abc", "id field is required")]
    public void Invalid_records(string text, string reason)
    {
        var result = MtaStsRecord.Parse(text);

        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Discovery_ignores_records_that_are_not_sts()
    {
        var result = MtaStsRecord.Discover(["v=spf1 -all", "v=STSv1; id=abc", "some verification=1"]);

        Assert.Equal("abc", result.Record?.Id);
    }

    [Fact]
    public void Two_sts_records_are_no_record_at_all()
    {
        // RFC 8461 3.1: "If the number of resulting records is not one ... senders MUST assume the recipient
        // domain does not have an available MTA-STS Policy".
        var result = MtaStsRecord.Discover(["v=STSv1; id=abc", "v=STSv1; id=def"]);

        Assert.False(result.IsValid);
        Assert.Contains("more than one", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_sts_records_are_invalid_even_when_one_is_malformed()
    {
        var result = MtaStsRecord.Discover(["v=STSv1; id=abc", "v=STSv1; nonsense"]);

        Assert.False(result.IsValid);
    }

    [Fact]
    public void No_sts_record_is_no_record()
    {
        Assert.False(MtaStsRecord.Discover(["v=spf1 -all"]).IsValid);
        Assert.False(MtaStsRecord.Discover([]).IsValid);
    }

    [Fact]
    public void The_owner_name_is_under_the_mta_sts_label()
    {
        Assert.Equal("_mta-sts.example.org", MtaStsRecord.OwnerName("example.org"));
    }
}
