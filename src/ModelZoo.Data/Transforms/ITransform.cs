namespace ModelZoo.Data.Transforms;

/// <summary>
/// One image transform (augmentation or preprocessing). All randomness comes from the <c>random</c> argument
/// in <see cref="Apply"/>, which the loader seeds per sample from (seed, epoch, index), so results are
/// reproducible and independent of thread scheduling. Implementations are stateless apart from their
/// parameters and may be shared between threads.
/// </summary>
/// <remarks>
/// <see cref="Apply"/> may modify <c>image</c> in place and return it, or return a new image; a caller that
/// still needs the input must pass a <see cref="FloatImage.Clone"/>.
/// </remarks>
public interface ITransform
{
    /// <summary>Transforms <paramref name="image"/> using <paramref name="random"/> for every random draw.</summary>
    FloatImage Apply(FloatImage image, Random random);
}
