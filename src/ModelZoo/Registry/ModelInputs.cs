namespace ModelZoo;

/// <summary>
/// The one check of an input size against a model card, made before any work (data loading, weights, a forward pass):
/// commands call <see cref="EnsureFits"/> with the size they are about to use, so a too-small input is one message
/// with the model's smallest size instead of libtorch's "Output size is too small" from deep inside the forward pass.
/// </summary>
public static class ModelInputs
{
    /// <summary>Throws unless an input of <paramref name="height"/> x <paramref name="width"/> fits the model's <see cref="ModelCard.MinInputSize"/>.</summary>
    /// <exception cref="InputTooSmallException">The input is smaller than the card's smallest input.</exception>
    /// <exception cref="UnknownModelException">No such zoo model.</exception>
    public static void EnsureFits(string modelNameOrAlias, int height, int width)
    {
        var card = Zoo.Card(modelNameOrAlias);
        if (height < card.MinInputSize || width < card.MinInputSize)
            throw new InputTooSmallException(card.Name, card.MinInputSize, height, width);
    }
}
