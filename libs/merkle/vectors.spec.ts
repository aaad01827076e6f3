// Known-answer tests. The vectors are the ones published with Google's Merkle tree libraries
// (github.com/transparency-dev/merkle: rfc6962/rfc6962_test.go and proof/verify_test.go, as in
// certificate-transparency-go before it): eight leaves, the tree heads of their first 1..8, and
// audit paths and consistency proofs between some of those sizes. They are copied, not recomputed.
import { consistencyProof, EMPTY_ROOT, inclusionProof, leafHash, nodeHash, rootFromLeafHashes, toHex, treeHead, verifyConsistency, verifyInclusion } from '.';

const hex = (h: string) => Buffer.from(h, 'hex');

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const LEAF_HASHES = LEAVES.map(leafHash);

/** ROOTS[i] is the head of the tree of the first i + 1 leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** [leaf index (0-based), tree size, audit path] */
const INCLUSION: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

/** [size1, size2, proof] */
const CONSISTENCY: [number, number, string[]][] = [
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

describe('RFC 6962 hashing', () => {
  it('gives the empty tree the SHA-256 of nothing', () => {
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(rootFromLeafHashes([])).toEqual(EMPTY_ROOT);
    expect(treeHead([])).toEqual(EMPTY_ROOT);
  });

  it('prefixes leaves with 0x00 and interior nodes with 0x01', () => {
    expect(toHex(leafHash(Buffer.alloc(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(toHex(leafHash(Buffer.from('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(toHex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe('aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb');
  });
});

describe('the published tree heads', () => {
  it.each(ROOTS.map((root, i) => [i + 1, root]))('of the first %i leaves', (size, root) => {
    expect(toHex(rootFromLeafHashes(LEAF_HASHES.slice(0, size as number)))).toBe(root);
    expect(toHex(treeHead(LEAF_HASHES, size as number))).toBe(root);
  });
});

describe('the published audit paths', () => {
  it.each(INCLUSION)('leaf %i of %i', (index, size, path) => {
    expect(inclusionProof(LEAF_HASHES, index, size).map(toHex)).toEqual(path);
    expect(verifyInclusion(index, size, LEAF_HASHES[index], path, ROOTS[size - 1])).toBe(true);
  });

  it('is empty for the one leaf of a one-leaf tree, whose hash is the head', () => {
    expect(inclusionProof(LEAF_HASHES, 0, 1)).toEqual([]);
    expect(verifyInclusion(0, 1, LEAF_HASHES[0], [], ROOTS[0])).toBe(true);
  });
});

describe('the published consistency proofs', () => {
  it.each(CONSISTENCY)('from %i to %i leaves', (size1, size2, proof) => {
    expect(consistencyProof(LEAF_HASHES, size1, size2).map(toHex)).toEqual(proof);
    expect(verifyConsistency(size1, size2, proof, ROOTS[size1 - 1], ROOTS[size2 - 1])).toBe(true);
  });
});
