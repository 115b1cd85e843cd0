using Gateway.Spam.Features;

namespace Gateway.Spam.Tests.Features;

public sealed class TokenSinkTests
{
    [Fact]
    public void A_token_added_in_parts_has_the_id_of_the_whole_token()
    {
        var sink = new TokenSink(keepNames: true);

        sink.Add("w:2:", "free", " ", "money");

        Assert.Equal([FeatureHasher.Hash("w:2:free money")], sink.Features);
        Assert.Equal(["w:2:free money"], sink.Names);
        Assert.Equal(FeatureHasher.Hash("s:hello"), FeatureHasher.Continue(FeatureHasher.Hash("s:"), "hello"));
    }

    [Fact]
    public void A_feature_is_counted_once_whatever_its_parts()
    {
        var sink = new TokenSink(keepNames: true);

        sink.Add("w:", "offer");
        sink.Add("w:of", "fer", [], []);

        Assert.Single(sink.Features);
        Assert.Equal(["w:offer"], sink.Names);
    }
}
