using Gateway.Spam.Scanning;

namespace Gateway.Spam.Tests.Scanning;

public sealed class CharacterReferencesTests
{
    [Theory]
    [InlineData("&#86;&#x49;&#X61;gra", 3)]
    [InlineData("&#169; &#8364; &#32; &#; &#x;", 0)]
    [InlineData("&#0000000000000065;", 0)]
    [InlineData("no references", 0)]
    public void Only_references_for_ascii_letters_and_digits_are_counted(string text, int letters)
    {
        Assert.Equal(letters, CharacterReferences.CountLetters(text));
    }
}
