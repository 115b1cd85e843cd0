using Gateway.Spam.Features;

namespace Gateway.Spam.Tests.Features;

public sealed class TokenSinkTests
{
    [Fact]
    public void A_token_added_in_parts_has_the_id_of_the_whole_token()
    {
        var sink = new TokenSink(keepNames: true);

        sink.Add("w:2:", "free", " ", "money");

        Assert.Equal([FeatureKind.Other(FeatureHasher.Hash("w:2:free money"))], sink.Features);
        Assert.Equal(["w:2:free money"], sink.Names);
        Assert.Equal(FeatureHasher.Hash("s:hello"), FeatureHasher.Continue(FeatureHasher.Hash("s:"), "hello"));
    }

    [Fact]
    public void Only_tokens_under_a_word_prefix_are_of_the_word_kind()
    {
        var sink = new TokenSink();

        sink.Add(new TokenPrefix("w:", IsWord: true), "offer");
        sink.Add(new TokenPrefix("u:host:"), "example.test");
        sink.Add("st:parts:", "1");

        Assert.Equal([true, false, false], sink.Features.ToArray().Select(FeatureKind.IsWord));
        Assert.Equal(FeatureKind.Word(FeatureHasher.Hash("w:offer")), sink.Features.ToArray()[0]);
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
