namespace ModelZoo.Blocks.Binary;

/// <summary>The surrogate gradient a binarising sign passes backward (the forward is always the sign).</summary>
public enum BinaryGradient
{
    /// <summary>Straight-through estimator (larq's <c>ste_sign</c>, Hubara et al.): gradient 1 where <c>|x| &lt;= 1</c>, else 0 (hardtanh's gradient).</summary>
    SteSign,

    /// <summary>Bi-Real Net's ApproxSign: gradient <c>2 - 2|x|</c> inside [-1, 1], else 0 (Liu et al., 2018).</summary>
    ApproxSign,
}
